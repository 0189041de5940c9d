"""The ANI « décrocheurs » pages: per scope, the ANI lines of the tableau de bord, year on year."""
