// Native histograms as text, the way Prometheus's model/histogram prints
// them (Histogram.String / FloatHistogram.String, which promtool's
// `tsdb dump` writes): "{count:5, sum:12.5, [-4,-2):1, [-0.001,0.001]:2,
// (1,2]:2}" -- count and sum, then every non-empty bucket in ascending
// order (negative ones, the zero bucket, positive ones) as its bounds
// (negative buckets closed below, positive ones closed above, the zero
// bucket closed on both sides) and count. Numbers as Go's %g.
//
// Thread-safety: pure functions.
#ifndef STRATA_INSPECT_HISTOGRAM_TEXT_H_
#define STRATA_INSPECT_HISTOGRAM_TEXT_H_

#include <string>

#include "strata/histogram.h"

namespace strata::inspect {

std::string HistogramText(const Histogram& h);
std::string FloatHistogramText(const FloatHistogram& h);

}  // namespace strata::inspect

#endif  // STRATA_INSPECT_HISTOGRAM_TEXT_H_
