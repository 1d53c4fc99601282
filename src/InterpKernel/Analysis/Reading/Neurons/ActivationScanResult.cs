using Microsoft.Data.Analysis;

namespace InterpKernel.Analysis;

/// <summary>What one pass of <see cref="ActivationScan.Run"/> found.</summary>
/// <param name="Site">The activation scanned.</param>
/// <param name="Statistics">Its distribution over the tokens scanned.</param>
/// <param name="TopExamples">The strongest activating tokens, largest first.</param>
/// <param name="Tokens">Tokens summarised.</param>
public sealed record ActivationScanResult(ActivationSite Site, ActivationStatistics Statistics, IReadOnlyList<ActivatingExample> TopExamples, long Tokens)
{
    /// <summary>The top examples as a table (see <see cref="ActivatingExample.ToDataFrame"/>).</summary>
    public DataFrame TopExamplesFrame() => ActivatingExample.ToDataFrame(TopExamples);
}
