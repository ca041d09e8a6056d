export * from './client';
export * from './clients';
export * from './common';
export * from './dates';
export * from './passes';
export * from './scan';
