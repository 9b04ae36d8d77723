/** SMS cost: segments per teaser and pay-link SMS, messages and parts of the details. */
import { smsLength } from '../lib/sms/segments';
import { languageModule } from '../lib/sms/language';
import { BENCH_SENDER } from './bench-app';

export function measureSmsCost() {
  // As a deployed stage speaks: under the brand and support contact the operator registered.
  const { detailsSms, payLinkSms, teaserSms } = languageModule('en').sms(BENCH_SENDER);
  // SMS cost: segments per teaser and pay-link SMS, messages and parts of the details, for
  // realistic leads.
  const realistic = [
    {
      name: 'Jane Client',
      category: 'plumbing',
      city: 'Austin',
      description: 'Leaking kitchen sink, need it fixed this week',
      budget: '$500',
    },
    {
      name: 'Zoë Müller-Łukasiewicz',
      category: 'moving',
      city: 'Zürich',
      description:
        'Déménagement d’un appartement de 3 pièces au 4e étage sans ascenseur, piano inclus. Disponible le week-end. '.repeat(
          3,
        ),
      budget: '€1 500',
    },
    {
      name: '王小明',
      category: 'tutoring',
      city: '旧金山',
      description: '需要一位数学家教，每周两次，高中代数和几何。',
      budget: null,
    },
    {
      name: 'José Ñúñez',
      category: 'hvac',
      city: 'San José',
      description:
        'AC unit stopped cooling 🥵 — compressor makes a clicking noise. Apartment on 2nd floor, access through the back. Landlord approved the repair up to $800; please bring replacement capacitors if possible. '
          .repeat(4)
          .slice(0, 2000),
      budget: 'up to $800',
    },
    {
      name: 'Sam O’Brien',
      category: 'roofing',
      city: null,
      description: 'Roof leak after the storm. '.repeat(60).slice(0, 2000),
      budget: null,
    },
  ];
  return realistic.map((l, i) => {
    const lead = {
      ...l,
      code: String(4821 + i),
      zipCode: '78701',
      phone: '+15125550142',
      email: 'client@example.com',
      priceCents: 1500,
      currency: 'usd',
    };
    const teaser = smsLength(teaserSms(lead));
    const link = smsLength(payLinkSms(lead, 'https://leads.example.test/p/Ab3dEf6hIj9kLm2nOp5q'));
    // A long description makes several messages of at most 6 parts each (TextMagic's limit).
    const details = detailsSms(lead).map(smsLength);
    const detailsParts = details.reduce((sum, d) => sum + d.segments, 0);
    const encodings = [...new Set(details.map((d) => d.encoding))];
    return {
      lead: `${l.name} (${l.description.length} chars)`,
      teaser: teaser.segments,
      teaserEncoding: teaser.encoding,
      link: link.segments,
      detailsMessages: details.length,
      detailsParts,
      detailsMaxPartsPerMessage: Math.max(...details.map((d) => d.segments)),
      details: `${details.length} message${details.length === 1 ? '' : 's'}, ${detailsParts} parts`,
      detailsEncoding: encodings.join(' + '),
    };
  });
}
