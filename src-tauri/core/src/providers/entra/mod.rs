//! Microsoft Entra ID through Microsoft Graph (being written)
