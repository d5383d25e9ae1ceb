# rotd/usage: what fills the disks: filesystems, containers and volumes, measured
librotd_a_SOURCES += \
	rotd/usage/usage.h
