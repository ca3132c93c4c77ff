/* A proc/ file that includes mm/'s private header: the check must fail. */
#include "mm/internal.h"
