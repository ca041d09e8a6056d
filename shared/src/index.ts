export * from './clients';
export * from './common';
export * from './dates';
export * from './passes';
export * from './scan';
export * from './client';
