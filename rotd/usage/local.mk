# rotd/usage: what fills the disks: filesystems, containers and volumes, measured
librotd_a_SOURCES += \
	rotd/usage/walk.c \
	rotd/usage/walk.h \
	rotd/usage/usage.c \
	rotd/usage/usage.h
