using System.ComponentModel.DataAnnotations;

namespace OptionsBinding;

public enum ShippingSpeed
{
    Economy,
    Standard,
    Express,
}

public sealed class Warehouse
{
    [Required]
    public string Code { get; set; } = "";

    public string City { get; set; } = "";
}

/// <summary>The "Shipping" section of the app's settings.</summary>
public sealed class ShippingOptions
{
    public const string Section = "Shipping";

    [Required]
    [StringLength(40, MinimumLength = 2)]
    public string Carrier { get; set; } = "";

    public ShippingSpeed DefaultSpeed { get; set; } = ShippingSpeed.Standard;

    [Range(typeof(TimeSpan), "00:00:01", "2.00:00:00")]
    public TimeSpan HandlingTime { get; set; } = TimeSpan.FromHours(4);

    public TimeSpan? CutOff { get; set; }

    [Required]
    public Warehouse Origin { get; set; } = new();

    [MinLength(1)]
    public List<string> Regions { get; set; } = [];

    public Dictionary<string, decimal> Surcharges { get; set; } = [];
}

/// <summary>The "Features" section, bound with services.Configure&lt;T&gt;.</summary>
public sealed class FeatureFlags
{
    public bool GiftWrapping { get; set; }

    public int MaxParcelsPerOrder { get; set; } = 1;

    public ShippingSpeed[] OfferedSpeeds { get; set; } = [];
}
