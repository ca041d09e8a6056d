export * from './client';
export * from './clients';
export * from './codes';
export * from './common';
export * from './dates';
export * from './passes';
export * from './scan';
export * from './webhooks';
