import type { BrookSerializer } from './options.js';

/** The default: JSON text in UTF-8. */
export const JSON_SERIALIZER: BrookSerializer = {
  serialize: (value) => JSON.stringify(value),
  deserialize: (raw) => JSON.parse(raw.toString('utf8')) as unknown,
};
