from dbbackup.management.commands import mediarestore

from cnml.backups import PrivateUploadsMixin


class Command(PrivateUploadsMixin, mediarestore.Command):
    help = "Restaure les fichiers déposés (PRIVATE_MEDIA_ROOT) depuis une archive de BACKUP_DIR."
