#include "conventions.h"

#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/layers/layers.h"

/* Serialises a quantizer's resolved identity: method, version, bits, sign, every option the
 * method declares (at its explicit or default value) and the hashes of the code computing it. */
static void quantizer_json(JsonW *w, const char *key, const Quantizer *q, const SourceHashes *h)
{
    const MethodSourceHash *src = source_hash_of(h, q->ops);
    jw_obj(w, key);
    jw_int(w, "bits", q->bits);
    jw_str(w, "method", q->ops->name);
    jw_obj(w, "options");
    for (const QuantOptionSpec *s = q->ops->options; s && s->name; s++) {
        const char *v = quantizer_opt(q, s->name);
        jw_str(w, s->name, v ? v : s->dflt);
    }
    jw_obj_end(w);
    jw_str(w, "shared_source", h->shared);
    if (q->role == QROLE_ACT)
        jw_bool(w, "signed", q->is_signed);
    jw_str(w, "source", src ? src->hash : "unhashed"); /* a method defined outside the
                                                           generator's view (a test's) */
    jw_int(w, "version", q->ops->version);
    jw_obj_end(w);
}

/* The layer's (input, weight) quantizer pair as JSON (owned), or NULL when it has none. */
static char *layer_quant_json(const Layer *L, const SourceHashes *h)
{
    const Quantizer *wq = layer_weight_quantizer(L), *aq = layer_input_quantizer(L);
    if (!wq && !aq)
        return NULL;
    JsonW w;
    jw_init(&w, 0);
    jw_obj(&w, NULL);
    if (aq)
        quantizer_json(&w, "input", aq, h);
    if (wq)
        quantizer_json(&w, "weight", wq, h);
    jw_obj_end(&w);
    return w.buf;
}

/* One entry per distinct quantizer pair, with the layers that use it, in layer order. */
char *conventions_json(const Net *net, const SourceHashes *h)
{
    char **pair = calloc((size_t)net->nlayers + 1, sizeof *pair);
    QB_ASSERT(pair);
    for (int i = 0; i < net->nlayers; i++)
        pair[i] = layer_quant_json(&net->layers[i], h);
    JsonW w;
    jw_init(&w, 0);
    jw_arr(&w, NULL);
    for (int i = 0; i < net->nlayers; i++) {
        int first = pair[i] != NULL;
        for (int j = 0; first && j < i; j++)
            first = !pair[j] || strcmp(pair[j], pair[i]);
        if (!first)
            continue;
        jw_obj(&w, NULL);
        jw_arr(&w, "layers");
        for (int j = i; j < net->nlayers; j++)
            if (pair[j] && !strcmp(pair[j], pair[i]))
                jw_str(&w, NULL, net->layers[j].name);
        jw_arr_end(&w);
        jw_raw(&w, "quantizers", pair[i]);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    for (int i = 0; i < net->nlayers; i++)
        free(pair[i]);
    free(pair);
    return w.buf;
}
