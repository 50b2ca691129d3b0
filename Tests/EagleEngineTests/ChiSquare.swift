import Foundation

/// Pearson's chi-square tests for the sampling tests.
enum ChiSquare {
    /// Homogeneity of two samples over the same categories (counts keyed by category):
    /// categories whose expected count is below 5 in either sample are pooled into one.
    /// Returns the p-value (small: the samples come from different distributions).
    static func homogeneityPValue<K: Hashable>(_ a: [K: Int], _ b: [K: Int]) -> Double {
        let na = Double(a.values.reduce(0, +)), nb = Double(b.values.reduce(0, +))
        var cells: [(Double, Double)] = []
        var pooled = (0.0, 0.0)
        for key in Set(a.keys).union(b.keys) {
            let x = Double(a[key] ?? 0), y = Double(b[key] ?? 0)
            let total = x + y
            if total * min(na, nb) / (na + nb) < 5 { pooled.0 += x; pooled.1 += y } else { cells.append((x, y)) }
        }
        if pooled.0 + pooled.1 > 0 { cells.append(pooled) }
        var statistic = 0.0
        for (x, y) in cells {
            let total = x + y
            let ea = total * na / (na + nb), eb = total * nb / (na + nb)
            statistic += (x - ea) * (x - ea) / ea + (y - eb) * (y - eb) / eb
        }
        return upperTail(statistic, degreesOfFreedom: max(cells.count - 1, 1))
    }

    /// Goodness of fit of counts to known probabilities (cells with expected count < 5 pooled).
    static func fitPValue(_ counts: [Int], _ probabilities: [Double]) -> Double {
        let n = Double(counts.reduce(0, +))
        var cells: [(Double, Double)] = []
        var pooled = (0.0, 0.0)
        for (count, p) in zip(counts, probabilities) {
            if n * p < 5 { pooled.0 += Double(count); pooled.1 += n * p } else { cells.append((Double(count), n * p)) }
        }
        if pooled.1 > 0 || pooled.0 > 0 { cells.append(pooled) }
        var statistic = 0.0
        for (observed, expected) in cells {
            if expected == 0 { if observed > 0 { return 0 } else { continue } }
            statistic += (observed - expected) * (observed - expected) / expected
        }
        return upperTail(statistic, degreesOfFreedom: max(cells.count - 1, 1))
    }

    /// P(X ≥ x) for X ~ χ²(k): the regularized upper incomplete gamma Q(k/2, x/2).
    static func upperTail(_ x: Double, degreesOfFreedom k: Int) -> Double {
        let a = Double(k) / 2, z = x / 2
        if z <= 0 { return 1 }
        let logPrefix = a * log(z) - z - lgamma(a)
        if z < a + 1 {
            // Series for the lower function P.
            var term = 1 / a, sum = term, n = a
            for _ in 0..<10_000 {
                n += 1
                term *= z / n
                sum += term
                if abs(term) < abs(sum) * 1e-15 { break }
            }
            return max(0, 1 - sum * exp(logPrefix))
        }
        // Continued fraction for Q (modified Lentz).
        var b = z + 1 - a, c = 1 / 1e-300, d = 1 / b, h = d
        for i in 1...10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < 1e-300 { d = 1e-300 }
            c = b + an / c
            if abs(c) < 1e-300 { c = 1e-300 }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return exp(logPrefix) * h
    }
}
