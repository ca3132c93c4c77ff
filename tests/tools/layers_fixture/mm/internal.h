/* mm/'s own helpers: no other layer may include this. */
