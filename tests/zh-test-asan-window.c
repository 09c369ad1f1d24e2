/* zh-test-asan-window.c: linked into the tests that open the signed-in window.
 *
 * Such a window makes more than 2048 quarks, and GLib then abandons its first block of quarks by
 * design (gquark.c: "This leaks the old quarks array"). That block was allocated by GLib's
 * constructor, which tools/lsan.supp knows by the loader's frame (_dl_init); GLib has no frame
 * pointers, so only the slow unwinder reaches that frame. Twelve frames are enough to reach it and
 * keep the slow unwinder affordable. Asked for here, the options of tools/test still apply. */
#include "config.h"

#ifdef __SANITIZE_ADDRESS__
const char *__asan_default_options (void);

const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0:malloc_context_size=12";
}
#endif
