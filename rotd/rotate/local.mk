# rotd/rotate: confined file access, the plan and the crash-safe rotation pass
librotd_a_SOURCES += \
	rotd/rotate/ctrfs.c \
	rotd/rotate/ctrfs.h \
	rotd/rotate/scan.c \
	rotd/rotate/scan.h \
	rotd/rotate/plan.c \
	rotd/rotate/plan.h \
	rotd/rotate/action.c \
	rotd/rotate/action.h \
	rotd/rotate/archive_name.c \
	rotd/rotate/archive_name.h \
	rotd/rotate/retention.c \
	rotd/rotate/retention.h \
	rotd/rotate/apply.c \
	rotd/rotate/apply.h \
	rotd/rotate/rotate.c \
	rotd/rotate/rotate.h \
	rotd/rotate/journal.c \
	rotd/rotate/journal.h \
	rotd/rotate/compress.c \
	rotd/rotate/compress.h \
	rotd/rotate/logclock.c \
	rotd/rotate/logclock.h \
	rotd/rotate/member.c \
	rotd/rotate/member.h \
	rotd/rotate/holders.c \
	rotd/rotate/holders.h \
	rotd/rotate/pass.c \
	rotd/rotate/pass.h
