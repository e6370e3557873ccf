// Generator throughput: `node --import tsx bench/generator.ts --users 100000 [--orgs N] [--seed S]`.
// Prints one JSON line: {users, seconds, usersPerSecond, peakRssMB}.
import { parseArgs } from 'node:util';
import { generateTenant } from '../src/main/sandbox/generator';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    orgs: { type: 'string' },
    seed: { type: 'string', default: 'bench' },
  },
});
const users = Number(values.users);
const orgs = values.orgs ? Number(values.orgs) : Math.max(4, Math.round(users / 100));
let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
const start = process.hrtime.bigint();
const tenant = generateTenant({ users, orgs, seed: values.seed });
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage.rss(), process.resourceUsage().maxRSS * 1024);
if (tenant.users.length !== users) throw new Error('generator returned the wrong number of users');
console.log(
  JSON.stringify({
    users,
    seconds: Number(seconds.toFixed(2)),
    usersPerSecond: Math.round(users / seconds),
    peakRssMB: Math.round(peakRss / 1048576),
  }),
);
