/* zh-feed-decoder-private.h: a streaming decoder of pages of the changes feed (GET /changes).
 *
 * The page's JSON text goes through yajl's event parser straight into entity structs: no JsonNode
 * tree is built. The checks are those of the tree decoder (zh_entity_from_json and the page's
 * contract in docs/api.md), with the same messages; see zh-feed-decoder.c.
 */
#pragma once

#include "zh-client.h"

G_BEGIN_DECLS

typedef struct _ZhFeedDecoder ZhFeedDecoder;

ZhFeedDecoder *_zh_feed_decoder_new    (gint64               since,
                                        guint                limit);
void           _zh_feed_decoder_free   (ZhFeedDecoder       *self);
gboolean       _zh_feed_decoder_feed   (ZhFeedDecoder       *self,
                                        const guint8        *data,
                                        gsize                length,
                                        GError             **error);
ZhChangesPage *_zh_feed_decoder_finish (ZhFeedDecoder       *self,
                                        GError             **error);

void           _zh_change_free         (gpointer             change);

gpointer       _zh_feed_decode_row     (const ZhEntityInfo  *info,
                                        const char          *json,
                                        gsize                length,
                                        GError             **error);

typedef enum
{
  ZH_FEED_HEADER_FOUND,
  ZH_FEED_HEADER_NEED_MORE,
  ZH_FEED_HEADER_ABSENT,
} ZhFeedHeader;

ZhFeedHeader   _zh_feed_peek_header    (const guint8        *data,
                                        gsize                length,
                                        gint64              *next,
                                        gboolean            *more);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZhFeedDecoder, _zh_feed_decoder_free)

G_END_DECLS
