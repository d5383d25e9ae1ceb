# rotd/remedy: disk alerts: watermarks, the Alertmanager webhook and remediation
librotd_a_SOURCES += \
	rotd/remedy/remedy.c \
	rotd/remedy/remedy.h \
	rotd/remedy/alert.c \
	rotd/remedy/alert.h \
	rotd/remedy/webhook.c \
	rotd/remedy/webhook.h \
	rotd/remedy/alertq.c \
	rotd/remedy/alertq.h
