#include "autoconf.h"
#include "unit.h"
Suite *unit_suite(void) { return suite_create("demux"); }
