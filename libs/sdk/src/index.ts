// Public API of @brook/sdk; filled in by the issue 10 branches.
export {};
