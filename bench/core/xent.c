#include "xent.h"

#include <math.h>

float xent_forward(const Tensor *logits, const int *labels, float smoothing, Tensor *dlogits)
{
    const int N = logits->n, K = logits->c;
    double total = 0.0;
    for (int n = 0; n < N; n++) {
        const float *z = logits->data + (size_t)n * K;
        float *d = dlogits->data + (size_t)n * K;
        float m = z[0];
        for (int k = 1; k < K; k++)
            m = z[k] > m ? z[k] : m;
        double s = 0.0;
        for (int k = 0; k < K; k++)
            s += exp((double)(z[k] - m));
        double lse = log(s) + m, loss = 0.0;
        for (int k = 0; k < K; k++) {
            double t = smoothing / K + (k == labels[n] ? 1.0 - smoothing : 0.0);
            double p = exp((double)z[k] - lse);
            loss -= t * ((double)z[k] - lse);
            d[k] = (float)((p - t) / N);
        }
        total += loss;
    }
    return (float)(total / N);
}

int xent_topk_hits(const Tensor *logits, const int *labels, int k)
{
    const int N = logits->n, K = logits->c;
    int hits = 0;
    for (int n = 0; n < N; n++) {
        const float *z = logits->data + (size_t)n * K;
        float v = z[labels[n]];
        int above = 0;
        for (int j = 0; j < K; j++)
            above += z[j] > v || (z[j] == v && j < labels[n]);
        hits += above < k;
    }
    return hits;
}
