import { describe, expect, it } from 'vitest';
import { checkoutPage } from '../../emulators/stripe/checkout-page';

describe("the Stripe stand-in's checkout page", () => {
  it('shows what it is given as text, never as markup, and runs no script', () => {
    const html = checkoutPage({
      id: 'cs_test_"><x',
      status: 'open',
      productName: 'Lead 4821: <img src=x onerror=alert(1)>, 78701 & "more"',
      amount: '$15.00',
      successUrl: 'http://localhost:3000/p/t?paid=1',
      cancelUrl: 'javascript:alert(1)',
    });
    expect(html).toContain('Lead 4821: &lt;img src=x onerror=alert(1)&gt;, 78701 &amp; &quot;more&quot;');
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/<script|javascript:|onerror=alert\(1\)>/i);
    expect(html).toContain('action="/pay/cs_test_%22%3E%3Cx"');
    expect(html).toContain('<button type="submit">Pay $15.00</button>');
    expect(html).toContain('name="viewport"');
  });

  it('a completed session links on to success_url and offers no Pay button', () => {
    const html = checkoutPage({
      id: 'cs_test_1',
      status: 'complete',
      productName: 'Lead 1',
      amount: '$15.00',
      successUrl: 'http://localhost:3000/p/t?paid=1&x=<y>',
      cancelUrl: null,
    });
    expect(html).not.toContain('<button');
    expect(html).toContain('href="http://localhost:3000/p/t?paid=1&amp;x=%3Cy%3E"');
  });
});
