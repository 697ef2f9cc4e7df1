// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The engine boundary (engine.h): the one place that looks up the entry
 * points pyqemu's engine patches add, by name in the loaded libunicorn.
 *
 * Layer: the bottom; calls nothing of the host.
 */
#define _GNU_SOURCE
#include <dlfcn.h>

#include "engine.h"

struct pyqemu_engine engine;

void engine_init(void)
{
    static bool done;

    if (done) {
        return;
    }
    done = true;
    engine.stop_async = (uc_emu_stop_async_fn)dlsym(RTLD_DEFAULT, "uc_emu_stop_async");
    engine.tb_instrument = (uc_tb_instrument_fn)dlsym(RTLD_DEFAULT, "uc_tb_instrument");
    engine.tb_sites = (uc_tb_instrument_sites_fn)dlsym(RTLD_DEFAULT, "uc_tb_instrument_sites");
    engine.tb_parallel = (uc_tb_sites_parallel_fn)dlsym(RTLD_DEFAULT, "uc_tb_sites_parallel");
    engine.x86_cpuid_features = (uc_x86_cpuid_features_fn)dlsym(RTLD_DEFAULT,
                                                                "uc_x86_cpuid_features");
    engine.exclusive_step = (uc_exclusive_step_fn)dlsym(RTLD_DEFAULT, "uc_exclusive_step");
    engine.x86_user_mode = (uc_x86_user_mode_fn)dlsym(RTLD_DEFAULT, "uc_x86_user_mode");
    engine.x86_error_code = (uc_x86_error_code_fn)dlsym(RTLD_DEFAULT, "uc_x86_error_code");
    if (!engine.tb_sites || !engine.stop_async) {
        engine.tb_instrument = NULL;    /* 0006 alone: the hooks do it all */
    }
    engine_thread_init();   /* the first thread's copy (see engine.h) */
}

void engine_thread_init(void)
{
    /*
     * patch 0003's uc_callback_running, which uc_emu_stop_async reads: dlsym
     * of a thread-local symbol returns this thread's copy, made if need be
     */
    (void)dlsym(RTLD_DEFAULT, "uc_callback_running");
}
