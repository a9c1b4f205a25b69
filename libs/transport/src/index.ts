// Public API of @brook/transport; filled in by the issue 10 branches.
export {};
