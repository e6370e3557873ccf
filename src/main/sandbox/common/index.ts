export * from './faults';
export * from './http';
export * from './prng';
export * from './rateLimit';
