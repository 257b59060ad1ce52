// Runs graphql-http's auditServer against the URL given as the first argument and prints one JSON line per audit:
// {"id", "name", "status"} where status is "ok", "warn" (a SHOULD not met) or "error" (a MUST not met).
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
for (const result of results) {
  const line = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    line.reason = result.reason;
    line.response = result.response ? { status: result.response.status, body: await result.response.text() } : null;
  }
  console.log(JSON.stringify(line));
}
