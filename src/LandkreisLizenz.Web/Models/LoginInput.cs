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
