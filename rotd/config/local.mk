# rotd/config: rotd.conf read once into struct rotd_config
librotd_a_SOURCES += \
	rotd/config/config.c \
	rotd/config/config.h \
	rotd/config/config_check.c \
	rotd/config/config_confuse.c \
	rotd/config/config_internal.h \
	rotd/config/config_keys.c \
	rotd/config/config_lex.c \
	rotd/config/config_scan.c \
	rotd/config/config_scan.h \
	rotd/config/config_value.c \
	rotd/config/default_conf.h
