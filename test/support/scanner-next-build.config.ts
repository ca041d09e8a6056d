import { mergeConfig, type Plugin } from 'vite';
import scanner from '../../scanner/vite.config';

/**
 * The scanner's build with one change to its code, as the next release would have: for tests
 * of how phones move to a new build. The page it builds marks itself `<html data-build="next">`.
 */
const nextRelease: Plugin = {
  name: 'passgate-next-release',
  transform(code, id) {
    if (!id.endsWith('/scanner/src/main.ts')) return undefined;
    return `${code}\ndocument.documentElement.dataset.build = 'next';\n`;
  },
};

export default mergeConfig(scanner, { plugins: [nextRelease] });
