import packageJson from '../../package.json' with { type: 'json' };

/** The release in package.json: what `casetrail --version` prints and CHANGELOG.md describes. */
export const VERSION: string = packageJson.version;
