from dbbackup.management.commands import mediabackup

from cnml.backups import PrivateUploadsMixin


class Command(PrivateUploadsMixin, mediabackup.Command):
    help = "Sauvegarde les fichiers déposés (PRIVATE_MEDIA_ROOT) dans une archive tar, dans BACKUP_DIR."
