export * from './primitives.ts';
export * from './text.ts';
export * from './messages.ts';
export * from './schedules.ts';
export * from './ice-servers.ts';
export * from './recording.ts';
export * from './breakout.ts';
export * from './codec.ts';
