/* zh-reader.c: a read-only connection to the offline copy shared by the workers of one view (the
 * journal window's pages, the lessons page's КТП and timetable). */
#define G_LOG_DOMAIN "zh-reader"

#include "config.h"

#include "zh-reader.h"
#include "zh-window-private.h"

static void
reader_clear (gpointer data)
{
  ZhReader *reader = data;

  g_clear_object (&reader->store);
  g_free (reader->path);
  g_mutex_clear (&reader->lock);
}

/* zh_reader_new: a reader of the copy at @path; nothing is opened until a worker asks. */
ZhReader *
zh_reader_new (const char *path)
{
  ZhReader *reader = g_atomic_rc_box_new0 (ZhReader);

  g_return_val_if_fail (path != NULL, NULL);

  g_mutex_init (&reader->lock);
  reader->path = g_strdup (path);
  return reader;
}

/* zh_reader_unref: drops a reference; the last closes the store. */
void
zh_reader_unref (ZhReader *reader)
{
  g_atomic_rc_box_release_full (reader, reader_clear);
}

/* zh_reader_get_store: (transfer none): the read-only store, opened and tuned on first use
 * (_zh_window_tune_reader); called with @reader's lock held. */
ZhStore *
zh_reader_get_store (ZhReader  *reader,
                     GError   **error)
{
  if (reader->store == NULL)
    {
      reader->store = zh_store_open (reader->path, ZH_STORE_FLAGS_READ_ONLY, error);
      if (reader->store != NULL)
        _zh_window_tune_reader (reader->store);
    }
  return reader->store;
}
