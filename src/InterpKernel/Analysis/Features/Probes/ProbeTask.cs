namespace InterpKernel.Analysis;

/// <summary>What a <see cref="LinearProbe"/> predicts.</summary>
public enum ProbeTask
{
    /// <summary>Two classes, labels 0 and 1: logistic regression with one output.</summary>
    Binary,
    /// <summary>Several classes, labels 0 to C − 1: multinomial logistic regression.</summary>
    Multiclass,
    /// <summary>A continuous target (e.g. a year or a coordinate): ridge regression.</summary>
    Regression,
}
