/** Injection token of the module's resolved BrookModuleOptions. */
export const BROOK_OPTIONS = Symbol('BROOK_OPTIONS');
