#include "autoconf.h"
#include "config.h"
