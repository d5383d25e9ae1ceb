# rotd/jobs: the off-peak jobs: cleanup.sh, media pruning, the WhatsApp API
librotd_a_SOURCES += \
	rotd/jobs/offpeak.c \
	rotd/jobs/offpeak.h \
	rotd/jobs/cleanup.c \
	rotd/jobs/cleanup.h \
	rotd/jobs/media.c \
	rotd/jobs/media.h \
	rotd/jobs/waclient.c \
	rotd/jobs/waclient.h \
	rotd/jobs/jobs.c \
	rotd/jobs/jobs.h
