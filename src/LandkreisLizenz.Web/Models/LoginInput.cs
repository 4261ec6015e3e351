using System.ComponentModel.DataAnnotations;

namespace LandkreisLizenz.Web.Models;

public sealed class LoginInput
{
    [Required(ErrorMessage = "Bitte geben Sie Ihren Benutzernamen ein.")]
    [Display(Name = "Benutzername")]
    public string? UserName { get; set; }

    [Required(ErrorMessage = "Bitte geben Sie Ihr Passwort ein.")]
    [Display(Name = "Passwort")]
    [DataType(DataType.Password)]
    public string? Password { get; set; }

    public string? ReturnUrl { get; set; }
}

/// <summary>Choosing one's own password after signing in with a one-time initial password.</summary>
public sealed class ChoosePasswordInput
{
    [Required(ErrorMessage = "Bitte geben Sie Ihren Benutzernamen ein.")]
    public string? UserName { get; set; }

    [Required(ErrorMessage = "Bitte geben Sie das erste Passwort ein, das Sie erhalten haben.")]
    [DataType(DataType.Password)]
    public string? InitialPassword { get; set; }

    [Required(ErrorMessage = "Bitte geben Sie ein neues Passwort ein.")]
    [DataType(DataType.Password)]
    public string? NewPassword { get; set; }

    [Required(ErrorMessage = "Bitte wiederholen Sie das neue Passwort.")]
    [Compare(nameof(NewPassword), ErrorMessage = "Die beiden neuen Passwörter stimmen nicht überein.")]
    [DataType(DataType.Password)]
    public string? RepeatPassword { get; set; }
}
