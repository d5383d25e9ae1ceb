# rotd/config: rotd.conf read once into struct rotd_config
librotd_a_SOURCES += \
	rotd/config/config.c \
	rotd/config/config.h \
	rotd/config/default_conf.h
