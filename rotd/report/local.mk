# rotd/report: what a pass did, as text, JSON, metrics and the status file
librotd_a_SOURCES += \
	rotd/report/report.c \
	rotd/report/report.h \
	rotd/report/metrics.c \
	rotd/report/metrics.h \
	rotd/report/status.c \
	rotd/report/status.h \
	rotd/report/usage_report.c \
	rotd/report/usage_report.h \
	rotd/report/logs_report.c \
	rotd/report/logs_report.h
