/* A base/ file that includes a sim/ header: the layer check must fail. */
#include "sim/up.h"
