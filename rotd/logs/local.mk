# rotd/logs: rotd logs, the search of live logs and archives by time and text
librotd_a_SOURCES += \
	rotd/logs/source.c \
	rotd/logs/source.h \
	rotd/logs/linereader.c \
	rotd/logs/linereader.h \
	rotd/logs/record.c \
	rotd/logs/record.h \
	rotd/logs/search.c \
	rotd/logs/search.h
