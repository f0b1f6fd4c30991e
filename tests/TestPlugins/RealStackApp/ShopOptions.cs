using System.ComponentModel.DataAnnotations;

namespace RealStackApp;

public enum StockPolicy
{
    Strict,
    Backorder,
}

/// <summary>The "Shop" section of the app's settings.</summary>
public sealed class ShopOptions
{
    public const string Section = "Shop";

    [Required]
    public string Name { get; set; } = "";

    public StockPolicy Policy { get; set; } = StockPolicy.Strict;

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RestockInterval { get; set; } = TimeSpan.FromMinutes(1);

    [Range(1, 1000)]
    public int RestockAmount { get; set; } = 10;

    [RegularExpression("^[A-Z]{3}$")]
    public string Currency { get; set; } = "CHF";
}
