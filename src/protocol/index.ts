export * from './primitives.ts';
export * from './text.ts';
export * from './messages.ts';
export * from './ice-servers.ts';
export * from './codec.ts';
