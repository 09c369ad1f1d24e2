/* zh-page-item.h: one row of the journal window's sidebar — a journal page, or the caption of a
 * class above its pages. */
#pragma once

#include <glib-object.h>

#include "zh-journal.h"

G_BEGIN_DECLS

#define ZH_TYPE_PAGE_ITEM (zh_page_item_get_type ())
G_DECLARE_FINAL_TYPE (ZhPageItem, zh_page_item, ZH, PAGE_ITEM, GObject)

ZhPageItem              *zh_page_item_new_page      (const ZhJournalPageInfo *info,
                                                     gboolean                 grouped);
ZhPageItem              *zh_page_item_new_header    (const char              *class_id,
                                                     const char              *class_name);
gboolean                 zh_page_item_is_header     (ZhPageItem              *self);
const ZhJournalPageInfo *zh_page_item_get_info      (ZhPageItem              *self);
const char              *zh_page_item_get_class_id  (ZhPageItem              *self);
const char              *zh_page_item_get_title     (ZhPageItem              *self);
const char              *zh_page_item_get_subtitle  (ZhPageItem              *self);
gboolean                 zh_page_item_matches       (ZhPageItem              *self,
                                                     const char              *folded_query);

G_END_DECLS
