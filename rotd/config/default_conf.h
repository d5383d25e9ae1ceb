/* The text of conf/rotd.conf, compiled in (generated as default_conf.c by the build). */
#ifndef ROTD_DEFAULT_CONF_H
#define ROTD_DEFAULT_CONF_H

extern const char rotd_default_conf[];

#endif
