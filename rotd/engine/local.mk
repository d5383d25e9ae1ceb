# rotd/engine: the Engine API: requests, streams, events and the inventory of containers
librotd_a_SOURCES += \
	rotd/engine/docker.c \
	rotd/engine/docker.h \
	rotd/engine/docker_exec.c \
	rotd/engine/demux.c \
	rotd/engine/demux.h \
	rotd/engine/events.c \
	rotd/engine/events.h \
	rotd/engine/inventory.c \
	rotd/engine/inventory.h
