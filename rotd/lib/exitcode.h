/* rotd's documented exit codes (rotd(8)). */
#ifndef ROTD_EXITCODE_H
#define ROTD_EXITCODE_H

enum rotd_exit {
	EXIT_ROTD_OK = 0,          /* everything done, nothing failed */
	EXIT_ROTD_PARTIAL = 1,     /* some container or file failed; the others were done */
	EXIT_ROTD_CONFIG = 2,      /* configuration or command-line error; nothing was done */
	EXIT_ROTD_ENGINE = 3,      /* the Docker engine could not be reached */
	EXIT_ROTD_BUSY = 4,        /* another pass held the lock for longer than lock-wait */
	EXIT_ROTD_SHORT = 5,       /* --remediate: everything safe was freed and a filesystem is
	                              still above the low watermark */
};

#endif
