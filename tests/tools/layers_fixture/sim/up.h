/* The header base/down.c must not include. */
