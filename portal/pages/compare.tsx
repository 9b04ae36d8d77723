import { Failed, Loading } from '../components/bits';
import type { Compare } from '../types';
import { useApi, useTitle } from '../use-api';

const percent = (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)}%`);

/** `4 min`, `2 h`: a reply time. */
function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/** How you compare: their response rate and reply time beside their peers' medians. */
export function ComparePage() {
  useTitle('How you compare');
  const { data, error } = useApi<Compare>('/compare');
  return (
    <>
      <h1>How you compare</h1>
      {error && <Failed error={error} />}
      {!data && !error && <Loading what="your figures" />}
      {data && (
        <>
          <p>
            Over the last {data.days} days you answered {data.you.answered} of the {data.you.offersReceived}{' '}
            leads we texted you.
          </p>
          <table data-testid="compare">
            <thead>
              <tr>
                <th scope="col"></th>
                <th scope="col">You</th>
                <th scope="col">Others near you</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">Answered</th>
                <td>{percent(data.you.responseRate)}</td>
                <td>{data.peers ? percent(data.peers.responseRate) : '—'}</td>
              </tr>
              <tr>
                <th scope="row">Reply time (median)</th>
                <td>{duration(data.you.medianReplySeconds)}</td>
                <td>{data.peers ? duration(data.peers.medianReplySeconds) : '—'}</td>
              </tr>
            </tbody>
          </table>
          {!data.peers && <p>Too few providers share your services and areas to compare with yet.</p>}
        </>
      )}
    </>
  );
}
