// Runs graphql-http's server audits (the GraphQL-over-HTTP specification's MUST, SHOULD and MAY) against the URL given,
// with an API token on every request, and prints one JSON array of { id, name, status, reason }.
import { serverAudits } from 'graphql-http';

const [url, token] = process.argv.slice(2);
const fetchWithToken = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

const results = [];
for (const audit of serverAudits({ url, fetchFn: fetchWithToken })) {
  const result = await audit.fn();
  results.push({ id: audit.id, name: audit.name, status: result.status, reason: result.reason ?? null });
}

console.log(JSON.stringify(results));
